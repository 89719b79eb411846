"""The directory service: the organisation tree, members, accounts and roles."""
