"""`mlpipe ui`: server-rendered pages over the registry, the runs and the reports, locally or on AWS."""
