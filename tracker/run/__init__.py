"""Running the pipeline over time and over cores: the daemon, its schedule and status file,
and a large ``tracker check`` spread over one process per core."""
