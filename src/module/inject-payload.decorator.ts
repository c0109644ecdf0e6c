import { Inject } from '@nestjs/common';
import { PAYLOAD_INSTANCE } from '../constants.js';

/** Injects the booted Payload instance (Local API). */
export const InjectPayload = (): PropertyDecorator & ParameterDecorator => Inject(PAYLOAD_INSTANCE);
