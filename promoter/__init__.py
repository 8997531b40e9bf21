"""The promoter Lambda: Model Registry approval events -> the serving function's pinned model version."""
