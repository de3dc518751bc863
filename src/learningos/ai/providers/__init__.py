"""Chat providers behind one narrow interface (`learningos.ai.types.Provider`)."""
