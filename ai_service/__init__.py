"""The reference AI: answers an online shop's customers from an FAQ in English and French (AI_BACKEND=faq) or with
an LLM behind an OpenAI-compatible API (AI_BACKEND=llm), or hands the conversation over."""
