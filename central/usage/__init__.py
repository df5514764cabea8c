"""Usage analytics (使用统计) at the platform: the terminals' usage batches counted per hall, hour and service,
the nightly forecast per hall, and the console's chart. See docs/usage.md."""
