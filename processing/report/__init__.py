"""The Evaluate step's parts: metrics and curves, quality gate, champion, explanations, the HTML page.

Imported as `processing.report` in the repository and as `report` inside the processing bundle (whose
root is this folder's parent's contents); see `processing/evaluate.py`.
"""
