"""Generated from proto/pixhound_events; do not edit by hand (run `make proto`)."""
