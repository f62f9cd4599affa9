"""The web: every page and API, thin over the domain — FAB's CRUD screens and REST
resources, the hand-written pages (我的台账, the office, reports), security and errors."""
