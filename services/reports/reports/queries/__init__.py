"""SQL aggregations over the read model, one module per report type."""
