"""Text for both faces: result tables, Markdown, comparisons, the card, plotext charts."""
