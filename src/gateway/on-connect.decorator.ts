import { SetMetadata } from '@nestjs/common';
import { ON_CONNECT_METADATA } from '../constants.js';

/** Marks a provider or gateway method to run for every new socket, as `(socket, server)`. */
export const OnConnect = (): MethodDecorator => SetMetadata(ON_CONNECT_METADATA, true);
