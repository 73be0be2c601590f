"""The content library: approved, expiring assets (images, videos, templates, snippets) per org
unit, inherited down the tree, stored through a storage interface."""
