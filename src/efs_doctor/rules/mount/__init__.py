"""Rules read straight off the mount simulation."""
