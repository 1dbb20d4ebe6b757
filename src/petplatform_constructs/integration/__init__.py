"""Integration constructs: queues (``FifoPipeline``) and events (``EventBus``)."""
