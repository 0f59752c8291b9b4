"""The `setu` command: runs the local topology and the operators' commands."""
