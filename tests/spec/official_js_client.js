// RingCentral's official JS client (npm ringcentral-engage-client) against the sandbox: the bot's own user, a
// scoped search, a JSON reply, a JSON recategorization, agent status. Prints one JSON line with what it saw.
// In (environment): SANDBOX_URL, TOKEN, CONTENT_ID, THREAD_ID, CATEGORY_ID.
const RingCentralEngage = require('ringcentral-engage-client').default
const env = process.env

async function main () {
  const rc = new RingCentralEngage({ apiToken: env.TOKEN, server: env.SANDBOX_URL })
  const me = (await rc.get('/1.0/users/me')).data
  const search = (await rc.get('/1.0/contents', { params: { q: `thread:"${env.THREAD_ID}"` } })).data
  const reply = (await rc.post('/1.0/contents', { in_reply_to_id: env.CONTENT_ID, body: 'From the JS client' })).data
  const thread = (await rc.put(`/1.0/content_threads/${env.THREAD_ID}/update_categories`,
    { thread_category_ids: [env.CATEGORY_ID] })).data
  const statuses = (await rc.get('/1.0/status')).data
  console.log(JSON.stringify({
    me: me.id,
    searched: search.records.map(r => r.id),
    reply: { id: reply.id, creator_id: reply.creator_id, in_reply_to_id: reply.in_reply_to_id },
    thread_category_ids: thread.thread_category_ids,
    agents: statuses.length
  }))
}

main().catch(error => {
  console.error(error.response ? `${error.response.status} ${JSON.stringify(error.response.data)}` : error)
  process.exit(1)
})
