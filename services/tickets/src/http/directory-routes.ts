import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { findOrCreateContact } from '../contacts/find-or-create-contact.js';
import type { TicketsContext } from '../context.js';
import { ContactView, CreateContactBody, DepartmentsAnswer } from './schemas.js';

/** Departments and contacts: what staff need to address a ticket. */
export function registerDirectoryRoutes(app: HttpApp, context: TicketsContext): void {
  const security = [{ bearer: [] }];

  app.get(
    '/departments',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "The CRM's departments",
        tags: ['directory'],
        security,
        response: { 200: DepartmentsAnswer, 503: ErrorBody },
      },
    },
    async () => {
      return { provider: context.crm.provider, departments: await context.crm.listDepartments() };
    },
  );

  app.post(
    '/contacts',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Find a contact by phone, or create it (201 created, 200 found)',
        tags: ['directory'],
        security,
        body: CreateContactBody,
        response: { 200: ContactView, 201: ContactView, 422: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const { contact, created } = await findOrCreateContact(context.crm, request.body);
      return reply.status(created ? 201 : 200).send(contact);
    },
  );
}
