"""A re-creation of the ORIGINAL project's serving style, for side-by-side benchmarks only.

Nothing here is used at serving time: it runs only inside bench/.work/original-bundle, an isolated
`pip install --target` of the original serving requirements (requirements.txt next to this file).
"""
