"""Offline checks for the cloud targets (Databricks, Synapse Serverless): no account needed.

`recorder` replaces an adapter's connection with one that records every statement,
`harness` runs `dbt build` against it and writes the recordings, `checks` judges them.
"""
