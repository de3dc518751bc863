"""The AI layer: five roles behind one gateway, providers chosen by configuration, and an
offline engine."""
