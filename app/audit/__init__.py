"""The audit log (who read or changed what) and the disclosure ledger."""
