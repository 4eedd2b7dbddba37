// Owns the sweep routes: create, list, read, pause/resume/stop, the trials table, and the agent
// protocol (register, next, heartbeat, exit). Bodies are checked by the wire schemas; everything
// else is the controller's (../sweeps/controller.ts), decorated on the app once as `sweeps`.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  AgentHeartbeat, AgentHeartbeatReply, AgentRegister, AgentRegistered, ProjectParams, SweepAgentParams, SweepCreate, SweepParams,
  SweepPatch, SweepTrialParams, TrialExit,
} from "@orrery/protocol";
import { errorResponses, projectNotFound } from "./common.js";

const withConflict = { ...errorResponses, 409: Type.Ref("ErrorBody") };

export const sweepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sweeps = app.sweeps;
  const base = "/api/v1/projects/:entity/:project/sweeps";

  app.post(base, {
    schema: {
      summary: "Create a sweep from a W&B-compatible config (YAML or JSON text, or an object)",
      description:
        "The config has method (grid, random, bayes, tpe), metric {name, goal}, parameters (every W&B distribution, nested " +
        "parameters), early_terminate (hyperband, asha), run_cap, command, and Orrery's retries and prior_sweeps. A bad config " +
        "gets 400 with field naming the offending key (config.parameters.lr.distribution) and a message saying what is allowed.",
      params: ProjectParams, body: SweepCreate,
      response: { 201: Type.Ref("Sweep"), ...errorResponses },
    },
  }, async (req, reply) => {
    const sweep = await sweeps.create(req.params, req.body.config);
    return reply.status(201).send(sweep);
  });

  app.get(base, {
    schema: {
      summary: "A project's sweeps, newest first",
      params: ProjectParams,
      response: { 200: Type.Ref("SweepList"), ...errorResponses },
    },
  }, async (req) => {
    if (!(await app.store.meta.getProject(req.params))) throw projectNotFound(req.params);
    return { sweeps: await sweeps.list(req.params) };
  });

  app.get(`${base}/:sweepId`, {
    schema: {
      summary: "One sweep: state, config, counts of trials by state, best trial",
      params: SweepParams,
      response: { 200: Type.Ref("Sweep"), ...errorResponses },
    },
  }, async (req) => sweeps.get(req.params));

  app.patch(`${base}/:sweepId`, {
    schema: {
      summary: "Pause, resume or stop a sweep",
      description:
        "paused: agents are told to wait; running: resumes; stopped: agents are told to stop, and their heartbeats name their " +
        "runs to stop. A finished sweep cannot be resumed (409).",
      params: SweepParams, body: SweepPatch,
      response: { 200: Type.Ref("Sweep"), ...withConflict },
    },
  }, async (req) => sweeps.setState(req.params, req.body.state));

  app.get(`${base}/:sweepId/trials`, {
    schema: {
      summary: "The sweep's trials in creation order",
      params: SweepParams,
      response: { 200: Type.Ref("SweepTrials"), ...errorResponses },
    },
  }, async (req) => ({ trials: await sweeps.trials(req.params) }));

  app.post(`${base}/:sweepId/agents`, {
    schema: {
      summary: "Register an agent; it then asks for work with next and reports heartbeats",
      params: SweepParams, body: AgentRegister,
      response: { 201: AgentRegistered, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await sweeps.registerAgent(req.params, req.body)));

  app.post(`${base}/:sweepId/agents/:agentId/next`, {
    schema: {
      summary: "The agent's next action: run a configuration, wait, or stop",
      description:
        "A configuration that failed (with retries left) or whose agent was lost is offered again before new ones. " +
        "run_cap and the grid hold exactly however many agents ask at once.",
      params: SweepAgentParams,
      response: { 200: Type.Ref("NextAction"), ...errorResponses },
    },
  }, async (req) => sweeps.next(req.params, req.params.agentId));

  app.post(`${base}/:sweepId/agents/:agentId/heartbeat`, {
    schema: {
      summary: "The agent is alive and runs these runs; the reply names runs it must stop",
      description:
        "An agent silent for longer than the server's heartbeat timeout is lost: its trials become lost and their " +
        "configurations are offered again.",
      params: SweepAgentParams, body: AgentHeartbeat,
      response: { 200: AgentHeartbeatReply, ...errorResponses },
    },
  }, async (req) => sweeps.heartbeat(req.params, req.params.agentId, req.body.runIds));

  app.post(`${base}/:sweepId/trials/:runId/exit`, {
    schema: {
      summary: "Report how a trial's process ended",
      params: SweepTrialParams, body: TrialExit,
      response: { 200: Type.Object({}), ...errorResponses },
    },
  }, async (req) => {
    await sweeps.exit(req.params, req.params.runId, req.body);
    return {};
  });
};
