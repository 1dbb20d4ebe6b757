"""Data constructs: DynamoDB tables (``DataTable``, ``ProfilesTable``)."""
