"""Figures: matplotlib drawings of computed results (PNG), their cache and their workers."""
