"""What the model server receives from the LLM backend: URL, model, system message, history, tools, API key."""

import httpx
from fake_chat_server import FakeModel, completion

from ai_service.llm.handover import SENTINEL, TOOL_NAME
from ai_service.llm.prompt import AGENT_PREFIX, DEFAULT_SYSTEM_PROMPT
from ai_service.llm.request import MAX_MESSAGE_CHARS
from botbridge.ai.v1 import ai_pb2

CUSTOMER, BOT, AGENT = ai_pb2.AUTHOR_CUSTOMER, ai_pb2.AUTHOR_BOT, ai_pb2.AUTHOR_AGENT


def conversation(body: str, *history: tuple[int, str]) -> ai_pb2.Conversation:
    earlier = [ai_pb2.Message(author=author, body=text) for author, text in history]
    return ai_pb2.Conversation(thread_id="t-1", message=ai_pb2.Message(author=CUSTOMER, body=body), history=earlier)


async def test_request_carries_model_temperature_system_message_and_the_tool(llm_responder) -> None:
    # In: a question, default settings. Out: one POST to {base}/chat/completions with the model, a low temperature,
    # the default brief plus the tool protocol as the system message, the question as the user, the handover tool.
    model = FakeModel()
    await llm_responder(model).respond(conversation("Do you ship to Belgium?"), None)

    [request] = model.received
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "fake-model"
    assert request.body["temperature"] == 0.2
    system, question = request.body["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith(DEFAULT_SYSTEM_PROMPT)
    assert f"call the function {TOOL_NAME}" in system["content"]
    assert question == {"role": "user", "content": "Do you ship to Belgium?"}
    [tool] = request.body["tools"]
    assert tool["function"]["name"] == TOOL_NAME
    assert tool["function"]["parameters"]["required"] == ["reason", "explanation"]


async def test_history_maps_authors_to_roles_and_joins_consecutive_turns(llm_responder) -> None:
    # In: customer, bot, agent, an empty customer message, customer, then the question.
    # Out: user, assistant (the bot's text, then the agent's with its prefix), one user turn joining the last two
    # customer messages; the empty one is left out.
    model = FakeModel()
    history = (
        (CUSTOMER, "Hi"),
        (BOT, "Hello! How can I help?"),
        (AGENT, "I'm Anna."),
        (CUSTOMER, " "),
        (CUSTOMER, "My order is late."),
    )
    await llm_responder(model).respond(conversation("Where is it?", *history), None)

    assert model.received[0].body["messages"][1:] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": f"Hello! How can I help?\n\n{AGENT_PREFIX}I'm Anna."},
        {"role": "user", "content": "My order is late.\n\nWhere is it?"},
    ]


async def test_only_the_latest_history_is_sent(llm_responder) -> None:
    # In: 5 earlier bot/customer messages with AI_LLM_MAX_HISTORY=2, then 0. Out: the last 2 and the question;
    # then the question alone.
    history = [(BOT if n % 2 else CUSTOMER, f"message {n}") for n in range(5)]
    model = FakeModel()
    await llm_responder(model, llm_max_history=2).respond(conversation("Question?", *history), None)
    await llm_responder(model, llm_max_history=0).respond(conversation("Question?", *history), None)

    two, none = (request.body["messages"][1:] for request in model.received)
    assert two == [{"role": "assistant", "content": "message 3"}, {"role": "user", "content": "message 4\n\nQuestion?"}]
    assert none == [{"role": "user", "content": "Question?"}]


async def test_an_author_this_version_does_not_know_is_a_user_and_long_messages_are_cut(llm_responder) -> None:
    # In: an earlier message by author 9 (a later proto version), then a 100 kB question.
    # Out: the earlier message as "user", joined with the question cut to MAX_MESSAGE_CHARS characters.
    model = FakeModel()
    await llm_responder(model).respond(conversation("x" * 100_000, (9, "from the future")), None)

    [_, user] = model.received[0].body["messages"]
    assert user == {"role": "user", "content": "from the future\n\n" + "x" * MAX_MESSAGE_CHARS}


async def test_without_tools_the_system_message_teaches_the_sentinel(llm_responder) -> None:
    # In: AI_LLM_USE_TOOLS=false and a custom brief. Out: no "tools" in the request; the system message is the
    # brief, then the [HANDOVER] sentinel protocol.
    model = FakeModel()
    responder = llm_responder(model, llm_use_tools=False, llm_system_prompt="You sell bikes. ")
    await responder.respond(conversation("Do you repair bikes?"), None)

    body = model.received[0].body
    assert "tools" not in body
    assert body["messages"][0]["content"].startswith("You sell bikes.\n\nTo hand the conversation over, reply with")
    assert f"{SENTINEL} <reason>:" in body["messages"][0]["content"]


async def test_api_key_is_sent_as_bearer_only_when_configured(llm_responder) -> None:
    # In: a request with AI_LLM_API_KEY, one without. Out: "Authorization: Bearer <key>", then no Authorization.
    model = FakeModel(lambda body: httpx.Response(200, json=completion("Yes.")))
    await llm_responder(model, llm_api_key="sk-test-123").respond(conversation("Open today?"), None)
    await llm_responder(model).respond(conversation("Open today?"), None)

    with_key, without = model.received
    assert with_key.headers["authorization"] == "Bearer sk-test-123"
    assert "authorization" not in without.headers
