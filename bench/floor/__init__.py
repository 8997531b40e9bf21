"""Handlers that do nothing, to measure the floor of a cold start under the Lambda emulator (issue 17)."""
