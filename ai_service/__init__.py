"""The reference AI: answers an online shop's FAQ in English and French, or hands the conversation over."""
