"""The pages that compose several apps: the home page, the navigation, the host's campaign dashboard."""
