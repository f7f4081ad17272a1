"""The rows a benchmark inserts: the standard table's, a user table's, adversarial ones."""
