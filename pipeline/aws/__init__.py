"""Operating the deployed system: stack outputs, data upload, cloud runs, signed API calls, status."""
