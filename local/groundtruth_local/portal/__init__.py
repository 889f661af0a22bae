"""The worker portal and task engine plugin of the local Ground Truth."""
