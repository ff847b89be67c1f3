"""Constants the sandbox tests share (a uniquely named module: `conftest` names collide across test folders)."""

BOT_TOKEN = "sandbox-bot-token"
BOT = {"Authorization": f"Bearer {BOT_TOKEN}"}
