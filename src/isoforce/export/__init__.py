"""Export: pure writers of recordings to text streams (CSV, JSON) and plots."""
