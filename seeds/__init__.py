"""The five seed articles in the seed format, shipped as package data of ``cpec_watch.seeds`` (read through
importlib.resources): the first run imports them, so the store is never empty. This folder is their source."""
