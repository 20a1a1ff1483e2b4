#pragma once
#include "BLEDevice.h"
