#!/usr/bin/env python3
"""CDK entry point: `npx cdk synth|diff|deploy` runs this (see cdk.json). Select with -c env=dev|prod;
more named models with -c models=a,b (docs/deploy.md, "A second model on AWS")."""

from stacks.assembly import build_app

build_app().synth()
