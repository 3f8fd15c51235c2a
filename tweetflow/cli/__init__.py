"""The `tweetflow` command: the top layer, turning options into typed configuration and
results into words."""
