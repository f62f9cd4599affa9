/* 挂图作战: draws the dashboard's charts from the JSON the page carries. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }

  function pie(id, rows) {
    chart(id, {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"],
                 data: rows.filter(function (r) { return r.value > 0; })
                           .map(function (r) { return { name: r.name, value: r.value }; }) }]
    });
  }

  pie("chart-stage", data.stage);
  pie("chart-category", data.category);

  var months = data.investment.months;
  chart("chart-investment", {
    tooltip: { trigger: "axis" },
    legend: { data: [L.completed, L.time_target, L.quarter_target] },
    xAxis: { type: "category", data: months.map(function (m) { return m.month + "月"; }) },
    yAxis: { type: "value", name: "万元" },
    series: [
      { name: L.completed, type: "bar", data: months.map(function (m) { return m.completed; }) },
      { name: L.time_target, type: "line", data: months.map(function (m) { return m.time_target; }) },
      { name: L.quarter_target, type: "line", step: "end", lineStyle: { type: "dashed" },
        data: months.map(function (m) { return m.quarter_target; }) }
    ]
  });

  var ranking = data.ranking.slice().reverse();
  chart("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 110 },
    xAxis: { type: "value", max: 100 },
    yAxis: { type: "category", axisLabel: { interval: 0 },
             data: ranking.map(function (r) { return r.department; }) },
    series: [{ name: L.score, type: "bar",
               // a month in progress is not judged: one neutral grey, whatever the score
               itemStyle: data.ranking_state.in_progress ? { color: "#9e9e9e" } : undefined,
               data: ranking.map(function (r) { return r.score; }) }]
  });

  chart("chart-overdue", {
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.overdue.map(function (r) { return r.month; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: L.overdue, type: "line", areaStyle: {},
               data: data.overdue.map(function (r) { return r.value; }) }]
  });
}());
