"""The read-only web view of the store (projects, timelines, articles, stories, search, sources) and its Atom feeds."""
