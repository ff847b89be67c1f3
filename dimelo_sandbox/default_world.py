"""The world the sandbox starts with: one chat source on one channel, a bot and an agent category, three agents."""

from collections.abc import Callable

from dimelo_sandbox.config import TokenSpec
from dimelo_sandbox.ids import IdFactory
from dimelo_sandbox.world import World

WELCOME_MESSAGE = "Hello! Thanks for contacting us. How can we help you today?"
AGENT_NAMES = ("Alice Martin", "Bruno Keller", "Chloé Dubois")
AGENT_PERMISSIONS = frozenset({"read", "reply"})


def build_default_world(ids: IdFactory, clock: Callable[[], float], tokens: list[TokenSpec]) -> World:
    """The first token belongs to the bot user; each further one to an API user of its own."""
    world = World(ids, clock)
    messaging = world.add_channel("Messaging")
    bot_category = world.add_category("Bot", "bot")
    agent_category = world.add_category("Agents", "agent")
    world.add_source(
        "Website chat",
        "engage_messaging",
        messaging.id,
        default_category_ids=[bot_category.id],
        welcome_message=WELCOME_MESSAGE,
    )
    first, *others = tokens
    bot = world.add_user("Bot", "bot", first.permissions, [bot_category.id])
    world.bot_user_id = bot.id
    world.add_token(first.token, bot.id)
    for number, spec in enumerate(others, start=2):
        user = world.add_user(f"API user {number}", "api", spec.permissions, [agent_category.id])
        world.add_token(spec.token, user.id)
    for name in AGENT_NAMES:
        agent = world.add_user(name, "agent", AGENT_PERMISSIONS, [agent_category.id])
        world.set_presence(agent, messaging.id, "available", "ok")
    return world
