"""Monitoring of a served model: the training baseline, serving-time capture, drift against the baseline.

Modules load nothing heavy from here: import `runtime.monitoring.profile`, `.capture`, `.drift` directly.
"""
