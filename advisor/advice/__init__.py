"""Advice: from a workload's answers to a recommendation. Plain Python, no database needed."""
