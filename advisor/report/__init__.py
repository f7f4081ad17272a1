"""Text for both faces: result tables, Markdown, the recommendation card, plotext charts."""
