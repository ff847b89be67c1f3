"""The LLM backend: answers with a model behind an OpenAI-compatible chat-completions API (vLLM, Ollama,
llama.cpp server, hosted providers), or hands over when the model asks to or fails."""
