"""Web pages of a nomination's life (Chinese, server-rendered); every change goes through approvals.actions."""
