"""Configuration: reads monitor.toml and the channel tables into typed settings (monitor.settings), with every problem named by file, key and line."""
