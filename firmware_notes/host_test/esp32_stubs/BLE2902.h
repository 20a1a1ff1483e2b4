// Host stub: the Client Characteristic Configuration descriptor (see Arduino.h in this folder).
#pragma once
#include "BLEDevice.h"
class BLE2902 : public BLEDescriptor {};
