"""The plugin system (pluggy) and the plugins that ship with the shop."""
