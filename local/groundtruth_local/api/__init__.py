"""The SageMaker-compatible labeling API: wire protocol, validation and operations."""
