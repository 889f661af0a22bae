"""The local Ground Truth: a SageMaker-compatible labeling API, worker portal and outputs."""
