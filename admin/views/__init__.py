"""Admin views: one short subclass of ScopedModelView per resource."""
