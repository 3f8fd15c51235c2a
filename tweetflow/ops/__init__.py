"""What runs the pipeline and watches it: `live`, the terminal view, the dead-letter report."""
