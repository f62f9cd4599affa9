"""The domain: the rules of DESIGN.md and the ledger's actions, with no request in sight.

Rules and their set-based twin, working days, row scope and the one door (who may write
what), validation, the one save path, locking, the audit trail, accounts and roles,
attachments, chains and backward scheduling. Views, jobs, reports and tests all call it.
"""
